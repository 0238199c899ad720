"""People (居民) and their accounts. One row is both a resident record and, optionally, a login."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.regions.models import Household

from .phones import mask_phone


class Gender(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    UNKNOWN = "", _("not recorded")


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone, name="", password=None, **extra):
        person = self.model(phone=phone, name=name, **extra)
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.save(using=self._db)
        return person

    def create_superuser(self, phone, name="", password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(phone, name, password, **extra)


class Person(AbstractBaseUser, PermissionsMixin):
    # Elderly residents without a mobile phone are still people the community records.
    phone = models.CharField(_("mobile phone"), max_length=11, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True, default="")
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    # is_staff opens the Django admin, which is for the system administrator only.
    is_staff = models.BooleanField(_("system administrator"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("registered"), default=timezone.now)
    households = models.ManyToManyField(
        Household, through="Membership", related_name="members", blank=True, verbose_name=_("households")
    )

    objects = PersonManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        # Never the whole phone number: str() ends up in logs and templates.
        return self.name or mask_phone(self.phone)


class Relation(models.TextChoices):
    OWNER = "owner", _("owner")
    TENANT = "tenant", _("tenant")
    MEMBER = "member", _("family member")


class Membership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    relation = models.CharField(
        _("relation"), max_length=10, choices=Relation.choices, default=Relation.MEMBER
    )
    is_head = models.BooleanField(_("head of household"), default=False)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [models.UniqueConstraint(fields=["person", "household"], name="membership_once")]

    def __str__(self) -> str:
        return f"{self.person} · {self.household}"


class HouseholdClaim(models.Model):
    """A roster's word that an already registered person heads a household: it gives them nothing (no seat in
    a household's vote) until they confirm it themselves, logged in. A roster cannot claim other people."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="household_claims")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="claims")
    claimed_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    confirmed = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("household claim")
        verbose_name_plural = _("household claims")
        ordering = ["claimed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "household"],
                condition=models.Q(answered_at__isnull=True),
                name="household_claim_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.household}"


class OneTimeCode(models.Model):
    """A login code sent by SMS. Only its keyed digest is stored."""

    phone = models.CharField(max_length=11, db_index=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        # Never the code (only its digest is stored) nor the whole number.
        return f"{mask_phone(self.phone)} {self.created_at:%Y-%m-%d %H:%M}"
