"""The app's screens: credentials, explorer, history, help, save body."""
