"""Pure functions that turn published values into the model's: dates, money, places, names, text.

They raise ``ValueError`` with a message fit to show a user ("'2019-02-30' is not a valid date")
and return None for the many ways sources write "no value".
"""

from euprojects.normalise.text import is_null

__all__ = ["is_null"]
