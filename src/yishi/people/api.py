from ninja import Router, Schema

from yishi.access.queries import active_roles

from .presenters import present_person

router = Router(tags=["people"])


class RoleOut(Schema):
    role: str
    role_label: str
    region_id: int
    region_name: str


class MeOut(Schema):
    authenticated: bool
    name: str = ""
    phone: str = ""
    roles: list[RoleOut] = []


@router.get("/me", response=MeOut, summary="Who is signed in, and their roles")
def me(request):
    user = request.user
    if not user.is_authenticated:
        return {"authenticated": False}
    view = present_person(user, user)
    return {
        "authenticated": True,
        "name": view.name,
        "phone": view.phone,
        "roles": [
            {
                "role": a.role,
                "role_label": a.get_role_display(),
                "region_id": a.region_id,
                "region_name": a.region.name,
            }
            for a in active_roles(user)
        ],
    }
