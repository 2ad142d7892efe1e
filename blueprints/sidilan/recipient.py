"""The household an aid counts for, stored on the aid and kept right by the database.

``sidilan_assistance.recipient_household_id`` is the aid's own ``household_id`` (aid for the family), else the
``household_id`` of its person (aid for one member). Triggers keep it on every write path (ORM, bulk import,
merges, a person moved to another family): on an aid's INSERT and on an UPDATE of its person, household or the
stored value itself, and on an UPDATE of a person's household. The double-aid report
(``assistance.double_program_stmt``) then groups one covering index instead of joining every aid to its person.

``create(bind)`` installs the triggers (a migration; ``db.create_all`` through ``install``), ``drop(bind)``
removes them."""

from sqlalchemy import event, text

_OF_PERSON = "(SELECT p.household_id FROM sidilan_person p WHERE p.id = {row}.person_id)"

_SQLITE = [
    "CREATE TRIGGER sidilan_assistance_recipient_ai AFTER INSERT ON sidilan_assistance BEGIN "
    "UPDATE sidilan_assistance SET recipient_household_id = "
    f"COALESCE(new.household_id, {_OF_PERSON.format(row='new')}) WHERE id = new.id; END",
    "CREATE TRIGGER sidilan_assistance_recipient_au AFTER UPDATE OF person_id, household_id, "
    "recipient_household_id ON sidilan_assistance BEGIN "
    "UPDATE sidilan_assistance SET recipient_household_id = "
    f"COALESCE(new.household_id, {_OF_PERSON.format(row='new')}) WHERE id = new.id; END",
    "CREATE TRIGGER sidilan_person_recipient_au AFTER UPDATE OF household_id ON sidilan_person "
    "WHEN old.household_id IS NOT new.household_id BEGIN "
    "UPDATE sidilan_assistance SET recipient_household_id = new.household_id "
    "WHERE person_id = new.id AND household_id IS NULL; END",
]

_POSTGRESQL = [
    "CREATE FUNCTION sidilan_assistance_recipient() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"NEW.recipient_household_id := COALESCE(NEW.household_id, {_OF_PERSON.format(row='NEW')}); "
    "RETURN NEW; END $$",
    "CREATE TRIGGER sidilan_assistance_recipient BEFORE INSERT OR UPDATE OF person_id, household_id, "
    "recipient_household_id ON sidilan_assistance FOR EACH ROW EXECUTE FUNCTION sidilan_assistance_recipient()",
    "CREATE FUNCTION sidilan_person_recipient() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE sidilan_assistance SET recipient_household_id = NEW.household_id "
    "WHERE person_id = NEW.id AND household_id IS NULL; RETURN NULL; END $$",
    "CREATE TRIGGER sidilan_person_recipient AFTER UPDATE OF household_id ON sidilan_person FOR EACH ROW "
    "WHEN (OLD.household_id IS DISTINCT FROM NEW.household_id) EXECUTE FUNCTION sidilan_person_recipient()",
]

# every aid already stored (a migration over existing rows)
FILL = (
    "UPDATE sidilan_assistance SET recipient_household_id = "
    f"COALESCE(household_id, {_OF_PERSON.format(row='sidilan_assistance')})"
)


def create(bind) -> None:
    for statement in {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(bind.dialect.name, []):
        bind.execute(text(statement))


def drop(bind) -> None:
    if bind.dialect.name == "sqlite":
        for name in (
            "sidilan_assistance_recipient_ai",
            "sidilan_assistance_recipient_au",
            "sidilan_person_recipient_au",
        ):
            bind.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    elif bind.dialect.name == "postgresql":
        bind.execute(text("DROP TRIGGER IF EXISTS sidilan_person_recipient ON sidilan_person"))
        bind.execute(text("DROP TRIGGER IF EXISTS sidilan_assistance_recipient ON sidilan_assistance"))
        bind.execute(text("DROP FUNCTION IF EXISTS sidilan_person_recipient()"))
        bind.execute(text("DROP FUNCTION IF EXISTS sidilan_assistance_recipient()"))


def install(assistance_table) -> None:
    """Create the triggers whenever ``db.create_all`` creates the aid table (after the person table it refers
    to), and drop them before ``drop_all`` drops it."""

    @event.listens_for(assistance_table, "after_create")
    def _create(target, connection, **kw):
        create(connection)

    @event.listens_for(assistance_table, "before_drop")
    def _drop(target, connection, **kw):
        drop(connection)
