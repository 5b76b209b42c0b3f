"""commune_payout: cashless social-security payouts for Vietnamese communes."""

__version__ = "0.1.0"
