"""How often one person may raise a matter: one counter for the page and the API.

Were each channel counted apart, a person could raise twice the limit by mixing them.
"""

RAISE_GROUP = "yishi.matters.raise"
RAISE_RATE = "20/h"
