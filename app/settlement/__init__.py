"""Settlement and innovation vouchers (结算与科技创新券): charges, statements, invoices, vouchers.

Importing the package registers who sees charges, vouchers and requests (scope.py) with app/policy.py.
The pages are in pages.py (the blueprint), the API in app/api/charges.py and app/api/vouchers.py.
"""
from . import scope

__all__ = ["scope"]
