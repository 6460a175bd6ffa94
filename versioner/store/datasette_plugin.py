"""Datasette plugin (entry point `versioner`): the SQL function the `version_texts` view needs."""

from datasette import hookimpl

from versioner.store.texts import register


@hookimpl
def prepare_connection(conn):
    register(conn)
