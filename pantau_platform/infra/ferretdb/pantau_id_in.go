// Added to FerretDB v1.24.2 by Pantau (pantau_platform/infra/store.py, patch ID_IN_PUSHDOWN).

package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
)

// maxIDIn bounds the number of SQL parameters (SQLite allows 32766).
const maxIDIn = 30000

// idInClause returns ` WHERE <_id index expression> IN (?, ...)` and its arguments when the
// filter's `_id` value is exactly `{$in: [v, ...]}` with only string or ObjectID values, else "".
// It selects a superset of the documents the filter matches (the handlers filter them again).
func idInClause(v any) (string, []any) {
	doc, ok := v.(*types.Document)
	if !ok || doc.Len() != 1 {
		return "", nil
	}

	in, err := doc.Get("$in")
	if err != nil {
		return "", nil
	}

	arr, ok := in.(*types.Array)
	if !ok || arr.Len() == 0 || arr.Len() > maxIDIn {
		return "", nil
	}

	args := make([]any, 0, arr.Len())

	for i := 0; i < arr.Len(); i++ {
		el, err := arr.Get(i)
		if err != nil {
			return "", nil
		}

		switch el.(type) {
		case string, types.ObjectID:
			b, err := sjson.MarshalSingleValue(el)
			if err != nil {
				return "", nil
			}

			args = append(args, string(b))
		default:
			return "", nil
		}
	}

	placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")

	return fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, placeholders), args
}
