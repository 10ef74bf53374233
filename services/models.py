"""The service provider directory and each provider's involvement with a case."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class ServiceType(models.TextChoices):
    ALCOHOL_AND_DRUG = "alcohol_drug", "Alcohol and drug"
    FAMILY_VIOLENCE = "family_violence", "Family violence"
    PARENTING = "parenting", "Parenting"
    COUNSELLING = "counselling", "Counselling / psychological"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    CULTURAL = "cultural", "Cultural"
    OTHER = "other", "Other"


class ServiceProvider(models.Model):
    """An agency that provides services to families (managed by administrators, read by all staff)."""

    name = models.CharField(max_length=160, unique=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Service(models.Model):
    """A service a provider offers: what, where, how to refer, what it costs and how long the wait is."""

    provider = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=160)
    service_type = models.CharField(max_length=20, choices=ServiceType.choices)
    area_served = models.CharField(max_length=160, help_text="Suburbs or region served")
    how_to_refer = models.TextField(blank=True)
    cost_per_session = models.DecimalField(max_digits=8, decimal_places=2, default=0,
                                           help_text="0 when the service is free to the family and the agency")
    typical_wait_days = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="service_name_unique_per_provider"),
            models.CheckConstraint(condition=Q(cost_per_session__gte=0), name="service_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.name} — {self.provider}"

    @property
    def costs_money(self) -> bool:
        return self.cost_per_session > 0


class ProviderInvolvement(models.Model):
    """A provider marked as involved in implementing a case's plan over a period.

    Interim manual flag (contacts issue); the referrals work derives involvement from
    active referrals instead."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="provider_involvements")
    provider = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="involvements")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-effective_from"]
