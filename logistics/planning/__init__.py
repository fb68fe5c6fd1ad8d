"""The route planner: pure Python (numpy, OR-Tools, PyVRP), no Django, so it runs and is measured alone.

TODO docstring
"""
