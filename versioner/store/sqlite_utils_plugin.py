"""sqlite-utils plugin (entry point `versioner`): the SQL function the `version_texts` view needs."""

from sqlite_utils import hookimpl

from versioner.store.texts import register


@hookimpl
def prepare_connection(conn):
    register(conn)
