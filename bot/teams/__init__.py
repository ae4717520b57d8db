"""The Microsoft Teams adapter: the only code that imports botbuilder / botframework."""
