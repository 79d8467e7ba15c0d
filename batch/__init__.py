"""rtm-batch: bulk onboarding of Webex Wholesale customers from a workbook.

The pipeline reads off the modules: ``load`` → ``validate`` → ``plan`` → ``run`` → ``report``;
``cli`` is a thin shell over them and ``emulator`` is the local stand-in for the Webex APIs.
"""

__version__ = "0.1.0"
