"""The channels people reach the bot through; each adapter turns its platform into the chat core's input and back."""
