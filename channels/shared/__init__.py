"""What several channels share: theme palettes, QR codes and writing rendered files."""
