"""What several test modules do to a few units: cut the campaign down to them, and have one
of them type its (synthetic) answers into its files as a person would."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

from sonket_gsync.campaign.model import Campaign
from sonket_gsync.demo.synthetic import Answers, answers_for, modified_time, to_blocks
from sonket_gsync.forms import narrative


def only(campaign: Campaign, codes) -> Campaign:
    """The campaign with just these units (in config order)."""
    return dataclasses.replace(campaign, units=tuple(u for u in campaign.units if u.code in codes))


def type_answers(service, code, seed=0, profile="on_time", typed_at=0, same_time=False, **changes) -> Answers:
    """Unit ``code`` fills its workbook and narrative with the answers of ``seed``, each form's
    first row changed by ``changes``; the files are dated by ``profile`` plus ``typed_at``
    minutes (``same_time``: the same date whatever the seed)."""
    campaign, unit = service.campaign, service.campaign.unit(code)
    rng = random.Random(f"{code}{seed}")
    answers = answers_for(campaign, unit, rng)
    for form_code, values in changes.items():
        answers.tables[form_code][0].update(values)
    doc = narrative.docx_from_sections(campaign, unit, answers.narrative)
    when = modified_time(profile, campaign, random.Random(code) if same_time else rng) + timedelta(minutes=typed_at)
    service.workspace.write_unit(unit, to_blocks(campaign, unit, answers), doc, when)
    return answers
