# The CreditGraph API and CLI. Used by docker-compose.yml beside Neo4j + GDS.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY ingest ./ingest
COPY queries ./queries
COPY algorithms ./algorithms
COPY api ./api
RUN pip install --no-cache-dir .
ENV CREDGRAPH_STORE=neo4j
EXPOSE 8000
CMD ["credgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
