"""The dashboard face: its pure pieces (the seat map) and, later, the app."""
