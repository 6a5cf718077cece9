"""seqbook: the helpers of the course book *Sequence Modeling with Recurrent Networks*.

Each module holds one concern and says in which chapter it is taught. Importing the package has
no side effects; chapters import what they need, e.g. ``from seqbook import set_seed``.
"""

from seqbook.seed import set_seed
from seqbook.show import show_source

__all__ = ["set_seed", "show_source"]
__version__ = "0.1.0"
