from commune_payout.cli import main

raise SystemExit(main())
