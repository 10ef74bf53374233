"""Demo variety for the federal caseworker-visit measure (contacts.federal): the demo's
visits to children in care are all at the placement by default; here some are moved to
school or the office (seen, not in the residence) and some become a video call (not seen
face to face that month). Chosen by contact id, not by a random draw, so the rest of the
demo stays as it was; two set-based UPDATEs."""

from __future__ import annotations

from django.db.models import F

from contacts.models import Contact, ContactKind, ContactMode, Location


def vary_placement_visits(case_ids: list[int]) -> None:
    at_placement = Contact.objects.filter(case_id__in=case_ids, kind=ContactKind.FACE_TO_FACE,
                                          location=Location.CHILD_LIVING_ENVIRONMENT)
    # About one in six at school (one in twelve of them at the office instead).
    at_placement.annotate(bucket=F("id") % 12).filter(bucket=1).update(location=Location.SCHOOL)
    at_placement.annotate(bucket=F("id") % 12).filter(bucket=7).update(location=Location.OFFICE)
    # About one in fourteen a video call instead of the visit.
    at_placement.annotate(bucket=F("id") % 14).filter(bucket=3).update(kind=ContactKind.OTHER,
                                                                      mode=ContactMode.VIDEO, location="")
