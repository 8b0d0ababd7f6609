from . import db, sqlstore


# atila hooks ------------------------
def __mount__ (context, app):
    from . import indexer, searcher

    @app.route ("/documents", methods = ["POST", "OPTIONS"])
    def index_document (context, document: str):
        if sqlstore.enabled ():
            doc_id = sqlstore.index (context, document)
        else:
            doc_id = indexer.index (document)
        return context.API (
            "201 Created",
            url = context.urlfor (get_document, doc_id)
        )

    @app.route ("/documents", methods = ["GET"])
    def search_document (context, q: str):
        if sqlstore.enabled ():
            return context.API (result = sqlstore.search (context, q))
        return context.API (
            result = searcher.search (q)
        )

    @app.route ("/documents/<int:doc_id>", methods = ["GET"])
    def get_document (context, doc_id):
        if sqlstore.enabled ():
            document = sqlstore.get (context, doc_id)
            if document is None:
                raise context.HttpError ("404 Not Found")
            return context.API (document = document)
        try:
            return context.API (
                document = db.DOCUMENTS [doc_id]
            )
        except KeyError:
            raise context.HttpError ("404 Not Found")
