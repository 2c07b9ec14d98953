"""A JSON response serialised by orjson, returned as is: the engine's answers are plain
dicts already in the declared shape (the response models document it and tests pin it), so
validating them again on every request would only cost time."""

from __future__ import annotations

import orjson
from fastapi.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    def render(self, content) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)
