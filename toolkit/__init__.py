"""Topic modeling and discourse analysis of Vietnamese political text.

Data flows one way::

    raw pages -> ingest -> document table -> normalize/segment -> features
              -> themes / keyness / topics / effects -> tidy tables -> plots -> figures

Library functions compute on pandas DataFrames and arrays; only ``corpus``,
``ingest`` (reading inputs), ``figures`` and the CLI touch the disk.
"""

import logging

__version__ = "0.1.0"

logging.getLogger("toolkit").addHandler(logging.NullHandler())
