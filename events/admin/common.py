"""What the events admin's modules share: file inlines that go through the services."""

from django.db import models

from uso_portal.uploads import PrivateFileInput

from .. import services

PRIVATE_FILES = {models.FileField: {"widget": PrivateFileInput}}


class FileFormsetsMixin:
    """Inline rows deleted or files replaced in a change form go through the services, so the
    stored files of deleted rows and replaced files are removed (after commit)."""

    file_deletes: dict = {}

    def save_formset(self, request, form, formset, change) -> None:
        delete = self.file_deletes.get(formset.model)
        if delete is None:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            delete(obj)
        for instance in instances:
            services.replaced_file_delete(instance=instance)
            instance.save()
        formset.save_m2m()
        return None


def refusals(problems_of, objs) -> list[str]:
    return [problem for obj in objs for problem in problems_of(obj)]
