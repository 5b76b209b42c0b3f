"""The desktop window (ttkbootstrap). Only this package imports tkinter."""
