"""Admin for users, organisations and memberships.

These are platform records, not family data: they follow Django's model permissions (in practice
the superuser). Writes that carry rules go through accounts.services: an organisation gets its role
groups from organization_create, and a membership's role group is kept in step by membership_add /
membership_change_role / membership_deactivate. Group membership is therefore not editable on the
user form, and nothing here is deleted: deactivate a membership or a user instead.
"""
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Membership, Organization, OrganizationGroup, User


def _actor(request: HttpRequest) -> User | None:
    # The platform superuser acts as the system (actor=None); anyone else must be an admin of
    # the organisation, which the service checks.
    return None if request.user.is_superuser else request.user


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)
        field_classes: dict = {}

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class EmailUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes: dict = {}


class MembershipInline(admin.TabularInline):
    """Read-only here: memberships change through the Membership admin (services)."""

    model = Membership
    fields = ("organization", "role", "is_active", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WithMemberships:
    """Shows the memberships on the change page (there are none to show while adding)."""

    inlines = [MembershipInline]

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list:
        return super().get_inline_instances(request, obj) if obj is not None else []


@admin.register(User)
class UserAdmin(WithMemberships, DjangoUserAdmin):
    """Users sign in with their email address. Role groups are not edited here: they follow the
    user's memberships."""

    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    filter_horizontal = ("user_permissions",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(WithMemberships, admin.ModelAdmin):
    """Created through organization_create (which makes the role groups); read-only afterwards,
    since there is no rename service yet."""

    list_display = ("name", "kind", "slug", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    fields = ("name", "kind", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Organization, form: forms.ModelForm, change: bool) -> None:
        created = services.organization_create(name=obj.name, kind=obj.kind, slug=obj.slug)
        obj.__dict__.update(created.__dict__)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Adding, changing the role and (de)activating go through accounts.services so the user's
    role group, and with it their rights on the organisation's cases, follow at once."""

    list_display = ("user", "organization", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", "organization")
    search_fields = ("user__email", "organization__name")
    list_select_related = ("user", "organization")
    fields = ("user", "organization", "role", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> tuple[str, ...]:
        return ("user", "organization") if obj else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Membership, form: forms.ModelForm, change: bool) -> None:
        actor = _actor(request)
        if not change or ("is_active" in form.changed_data and obj.is_active):
            saved = services.membership_add(organization=obj.organization, user=obj.user, role=obj.role, actor=actor)
            obj.pk = saved.pk
            return
        current = Membership.objects.get(pk=obj.pk)
        if "role" in form.changed_data:
            current = services.membership_change_role(membership=current, role=obj.role, actor=actor)
        if "is_active" in form.changed_data and not obj.is_active:
            services.membership_deactivate(membership=current, actor=actor)


@admin.register(OrganizationGroup)
class OrganizationGroupAdmin(admin.ModelAdmin):
    """Read-only: organization_create makes one group per role; memberships fill them."""

    list_display = ("organization", "role", "group")
    list_filter = ("role",)
    list_select_related = ("organization", "group")

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrganizationGroup]:
        return super().get_queryset(request).select_related("organization", "group")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
