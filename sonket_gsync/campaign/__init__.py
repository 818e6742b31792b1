"""The campaign as data: a campaign folder (campaign.toml, units.csv, forms.toml,
indicators.csv, outline.toml) loaded, checked and typed. Another campaign is another folder.

- ``model``: ``Campaign`` and its parts (units, groups, forms and columns, indicators, outline).
- ``load`` / ``load_forms``: ``load_campaign(folder)``, every mistake located in Vietnamese.
- ``lookup``: ``find_unit`` the way a person types it (code in any case, name without accents).
"""

import lazy_loader

# The public surface, loaded on first use: importing the package costs nothing more.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "model": ["Campaign", "Unit", "Form", "Column", "SubmissionSettings", "ReminderSettings"],
        "load": ["load_campaign"],
        "lookup": ["find_unit"],
    },
)
