"""The client's tests. They need a broker and fixtures written by Lodestar's Java codecs, so they run
from ``PythonClientITCase`` (``./mvnw verify``), which passes both through the environment."""
