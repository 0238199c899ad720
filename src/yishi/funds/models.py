"""Cost sharing (费用分摊), payments (缴费) and a compound's public fund (公共资金).

A charge rule says how a cost is shared among a compound's households for a period; issuing it creates one
charge per household, frozen with the occupancy and floor area it was computed from. Payments and fund
entries are append-only: a mistaken payment is reversed by a new row that points at it, a mistaken fund
entry is corrected by an opposite entry that points at it. Money is Decimal with two places, never float.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.regions.models import dwelling_order

MONEY = {"max_digits": 12, "decimal_places": 2}


class Method(models.TextChoices):
    OCCUPANCY = "occupancy", _("fixed amount by occupancy")
    AREA = "area", _("by floor area")
    EQUAL = "equal", _("equal shares of a total")


class RuleStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")


class ChargeRule(models.Model):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="charge_rules", verbose_name=_("compound")
    )
    matter = models.ForeignKey(
        "matters.Matter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charge_rules",
        verbose_name=_("matter"),
    )
    title = models.CharField(_("title"), max_length=100)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    method = models.CharField(_("how the cost is shared"), max_length=10, choices=Method.choices)
    occupied_amount = models.DecimalField(_("amount per occupied household"), null=True, blank=True, **MONEY)
    vacant_amount = models.DecimalField(_("amount per vacant household"), null=True, blank=True, **MONEY)
    rate_per_m2 = models.DecimalField(
        _("rate per m²"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    total = models.DecimalField(_("total to share"), null=True, blank=True, **MONEY)
    # What the work costs (e.g. the gardening team's price): what is collected beyond it goes into the fund.
    contract_price = models.DecimalField(_("contracted price"), null=True, blank=True, **MONEY)
    status = models.CharField(
        _("status"), max_length=10, choices=RuleStatus.choices, default=RuleStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    issued_total = models.DecimalField(_("total charged"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("charge rule")
        verbose_name_plural = _("charge rules")
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="charge_rule_period_order"
            ),
            models.CheckConstraint(
                condition=~Q(method="occupancy") | Q(occupied_amount__gte=0, vacant_amount__gte=0),
                name="charge_rule_occupancy_amounts",
            ),
            models.CheckConstraint(
                condition=~Q(method="area") | Q(rate_per_m2__gt=0), name="charge_rule_area_rate"
            ),
            models.CheckConstraint(
                condition=~Q(method="equal") | Q(total__gt=0), name="charge_rule_equal_total"
            ),
            models.CheckConstraint(
                condition=Q(contract_price__isnull=True) | Q(contract_price__gte=0),
                name="charge_rule_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(issued_at__isnull=False, issued_total__isnull=False),
                name="charge_rule_issued_has_total",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_issued(self) -> bool:
        return self.status == RuleStatus.ISSUED


class Exemption(models.Model):
    """A household exempted from a rule (减免, e.g. a 低保 household). The reason is not public."""

    rule = models.ForeignKey(ChargeRule, on_delete=models.PROTECT, related_name="exemptions")
    household = models.ForeignKey("regions.Household", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [models.UniqueConstraint(fields=["rule", "household"], name="exemption_once")]

    def __str__(self) -> str:
        return f"{self.rule_id} · {self.household_id}"


class Charge(models.Model):
    """One household's share under a rule, as computed when the rule was issued."""

    rule = models.ForeignKey(ChargeRule, on_delete=models.PROTECT, related_name="charges")
    household = models.ForeignKey("regions.Household", on_delete=models.PROTECT, related_name="charges")
    occupancy = models.CharField(_("occupancy"), max_length=10)
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(_("amount due"), **MONEY)
    exempt = models.BooleanField(_("exempt"), default=False)
    # The sum of the payments (reversals subtracted), kept with the charge so arrears are one query.
    paid = models.DecimalField(_("paid"), default=0, **MONEY)

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["rule", *dwelling_order("household__"), "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "household"], name="charge_once_per_household"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="charge_amount_not_negative"),
            # Overpayment is refused by the services; the database refuses it too.
            models.CheckConstraint(
                condition=Q(paid__gte=0, paid__lte=F("amount")), name="charge_paid_within_amount"
            ),
            models.CheckConstraint(condition=Q(exempt=False) | Q(amount=0), name="charge_exempt_is_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} · {self.household_id}: {self.amount}"

    @property
    def owed(self):
        return self.amount - self.paid


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("cash")
    WECHAT = "wechat", _("WeChat Pay")
    BANK = "bank", _("bank transfer")


class Payment(models.Model):
    """Money received against a charge, with its receipt; or, with a negative amount, the reversal of one."""

    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="payments")
    # The compound, kept on the row so the receipt number is unique per compound in the database.
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    receipt_no = models.CharField(_("receipt number"), max_length=30, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    reason = models.CharField(_("reason for the reversal"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "receipt_no"],
                condition=~Q(receipt_no=""),
                name="payment_receipt_unique_per_compound",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0, reverses__isnull=True) & ~Q(receipt_no="")
                | Q(amount__lt=0, reverses__isnull=False) & ~Q(reason=""),
                name="payment_or_reversal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no or '—'} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("payments are append-only: reverse one instead")
        super().save(*args, **kwargs)


class Fund(models.Model):
    """A compound's public fund (公共资金). Its balance is the sum of its entries."""

    region = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="fund")
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("public fund")
        verbose_name_plural = _("public funds")

    def __str__(self) -> str:
        return str(self.region)


class EntryKind(models.TextChoices):
    INCOME = "income", _("income")
    SPENDING = "spending", _("spending")


def evidence_path(instance, filename: str) -> str:
    return f"funds/{instance.fund_id}/{filename}"


class FundEntry(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    occurred_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200)
    evidence_text = models.TextField(_("evidence"), max_length=2000, blank=True)
    evidence_photo = models.ImageField(_("evidence photo"), upload_to=evidence_path, blank=True)
    # Set on the income that carries a rule's surplus beyond its contracted price.
    rule = models.ForeignKey(
        ChargeRule, null=True, blank=True, on_delete=models.PROTECT, related_name="fund_entries"
    )
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("fund entry")
        verbose_name_plural = _("fund entries")
        ordering = ["occurred_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_entry_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="income") | ~Q(evidence_text="") | ~Q(evidence_photo=""),
                name="fund_spending_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.description}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("fund entries are append-only: post a correcting entry instead")
        super().save(*args, **kwargs)

    @property
    def signed_amount(self):
        return self.amount if self.kind == EntryKind.INCOME else -self.amount


class Disclosure(models.Model):
    """A fee and fund disclosure (财务公开) of a compound: the notice on the board that carries it."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    notice = models.OneToOneField("notices.Notice", on_delete=models.PROTECT, related_name="fund_disclosure")

    class Meta:
        verbose_name = _("fee and fund disclosure")
        verbose_name_plural = _("fee and fund disclosures")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.region_id} · {self.notice_id}"
