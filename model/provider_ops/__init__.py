"""Provider operations on a Document, each one edit (or as few as possible), judged against a
target release: add (from the release's sample config), remove, rename, switch on and off
through a `${env.X:+id}` toggle, reorder, their state under an environment, and the registered
resources that name them. The editor and the command line share them."""

from .adding import AddResult, FieldToFill, add_provider, config_field, fields_to_fill, new_provider, parse_config_values
from .changing import ProviderInUse, RemoveResult, default_toggle_variable, move_provider, remove_provider, rename_provider, set_toggle
from .lookup import ProviderState, find_provider, id_of, provider_ids, provider_state, providers_of, resolve_ids
from .resources import add_resource, edit_resource, enabled_provider_ids, remove_resource, resource_kinds, resources_naming

__all__ = [
    "AddResult", "FieldToFill", "add_provider", "config_field", "fields_to_fill", "new_provider", "parse_config_values",
    "ProviderInUse", "RemoveResult", "default_toggle_variable", "move_provider", "remove_provider", "rename_provider", "set_toggle",
    "ProviderState", "find_provider", "id_of", "provider_ids", "provider_state", "providers_of", "resolve_ids",
    "add_resource", "edit_resource", "enabled_provider_ids", "remove_resource", "resource_kinds", "resources_naming",
]
