"""The domain: SQLAlchemy tables (`models.tables`) and the pure rules that define the indicator.

The rule modules (`numbers`, `calendar`, `documents`, `status`, `indicator`) take dates and facts and return
answers. They never open a session and never read the clock: the caller passes the moment it asks about.
"""
