"""The ``--out`` folder's promises (contract §3): every report written whole or not at all (``atomic``), and
nothing an earlier run wrote there is lost (``previous``)."""
