"""The application layer: what people and schedules do, over the stages below. The CLI and
the web are thin layers over this package: they read through ``Queries`` and write through
``CampaignService``.

- ``service``: ``CampaignService`` — provision, sync, compile, links, the worker — each under
  the campaign's writer lease (``lease``).
- ``jobs``: the job kinds and how one runs; ``schedule`` and ``channels``: what runs by itself.
- ``queries``: the read side (dashboard, unit detail, runs, jobs, outputs).
- ``labels``: every user-facing job kind, job state and run outcome, defined once.
"""

import lazy_loader

# The public surface, loaded on first use: importing the package costs nothing more.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "service": ["CampaignService"],
        "queries": ["Queries"],
        "labels": ["JOB_KINDS", "JOB_STATES", "status_label"],
    },
)
