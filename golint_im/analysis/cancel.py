"""Context cancellation: is the context a stream was opened with cancelled by someone who ends?"""
from __future__ import annotations

from .resources import _CTX_WITH, _ids_in, _subexprs


class Cancel:
    # ---- GIM204: the context of a stream -----------------------------------
    def ctx_cancelled(self, fn, op, origin=None) -> bool:
        """The stream's context is cancelled by this function, or owned by a longer-lived object."""
        index = 0  # generated stubs take the context first
        if origin is not None and origin.impl is not None:
            params = origin.impl.facts.params
            index = next((i for i, (_n, t) in enumerate(params) if t.endswith("context.Context")), -1)
        if not 0 <= index < len(op.args):
            return False
        return self._ctx_expr_cancelled(fn, op.args[index], 0)

    def conn_closed_by_defer(self, fn, op) -> bool:
        """The stream's client is built from a connection this function closes with `defer conn.Close()`.

        Closing a ClientConn ends every stream opened on it, so
        `conn := grpc.NewClient(...); defer conn.Close(); c := pb.NewXClient(conn);
        s, _ := c.Bidi(ctx)` releases s whatever the paths in between."""
        callee = op.fn
        if callee[0] != "sel":
            return False
        base = callee[1]
        if base[0] == "id":  # client := pb.NewXClient(conn)
            for o in fn.facts.ops:
                if o.kind == "assign" and len(o.targets) == len(o.args) and base in o.targets:
                    value = o.args[o.targets.index(base)]
                    if value[0] == "call":
                        base = value
                        break
        if base[0] != "call":
            return False
        # Whatever builds the client from the connection (a generated constructor or a
        # hand-written wrapper), the connection it was given is what ends the stream.
        closed = {o.fn[1] for o in fn.facts.ops
                  if o.kind == "call" and o.mode == "defer" and o.fn[0] == "sel" and o.fn[2] == "Close"}
        return any(arg[0] == "id" and arg in closed for arg in base[2])

    def _ctx_expr_cancelled(self, fn, expr, depth) -> bool:
        if depth > 4 or expr is None:
            return False
        if expr[0] == "sel":
            return expr[1][0] != "id" or not self.program.refers_to_import(fn, expr[1][1])  # s.ctx: the owner's context
        if expr[0] == "call":
            c = expr[1]
            if c[0] == "sel" and c[2] == "Context" and not expr[2]:
                # t.Context(), r.Context(), stream.Context(): cancelled when the test, the request
                # or the RPC that owns it ends.
                return True
            if expr[2]:
                return self._ctx_expr_cancelled(fn, expr[2][0], depth + 1)
            return False
        if expr[0] != "id":
            return False
        name = expr[1]
        g = self.program.declaring_function(fn, name)
        if g is None:
            return False
        assigned = any(o.kind == "assign" and ("id", name) in o.targets for o in g.facts.ops)
        if not assigned and name in self.params(g) and name != g.facts.recv_name:
            # A parameter: cancelled if every caller passes a context it cancels.
            names = [p[0] for p in g.facts.params]
            i = names.index(name)
            callers = self.program.callers(g) or self._table_callers(g)
            if not callers or len(callers) > 16:
                return False
            for caller, cop in callers:
                if i >= len(cop.args) or not self._ctx_expr_cancelled(caller, cop.args[i], depth + 1):
                    return False
            return True
        for o in g.facts.ops:
            if o.kind != "assign" or ("id", name) not in o.targets:
                continue
            if len(o.args) == 1 and o.args[0][0] == "call":
                call = o.args[0]
                c = call[1]
                if c[0] == "sel" and c[2] == "WithContext" and o.targets.index(("id", name)) == 1:
                    ext = self.program.external_callee(g, c)
                    if ext is not None and ext.pkg == "golang.org/x/sync/errgroup":
                        # `g, gctx := errgroup.WithContext(ctx)`: cancelled when a goroutine
                        # of the group fails and when Wait returns.
                        return True
                if c[0] == "sel" and c[2] in _CTX_WITH and len(o.targets) > 1:
                    cancel = o.targets[1]
                    if cancel[0] == "id" and cancel[1] != "_" and self._used(g, cancel[1]):
                        return True
                    continue
                if self._ctx_expr_cancelled(g, call, depth + 1):
                    return True
            elif len(o.targets) == len(o.args):
                v = o.args[o.targets.index(("id", name))]
                if self._ctx_expr_cancelled(g, v, depth + 1):
                    return True
        return False

    def _table_callers(self, lit):
        """Callers of a literal kept in a test table (`{name: ..., run: func(ctx ...) {...}}`, `tc.run(ctx)`)."""
        if lit.parent is None:
            return []
        top = lit.parent
        while top.parent is not None:
            top = top.parent
        index = next((i for i, ff in enumerate(lit.file.funcs) if ff is lit.facts), -1)
        keys = set()
        for f in [top] + list(self._all_literals(top)):
            for op in f.facts.ops:
                for e in op.args:
                    self._comp_keys_of(e, index, keys)
        if not keys:
            return []
        out = []
        for f in [top] + list(self._all_literals(top)):
            for op in f.facts.ops:
                if op.kind == "call" and op.fn[0] == "sel" and op.fn[2] in keys:
                    out.append((f, op))
        return out

    @staticmethod
    def _comp_keys_of(expr, index, keys):
        """Keys under which the literal `index` is stored in composite literals inside expr."""
        for e in _subexprs(expr):
            if e[0] == "comp":
                keys.update(k[1] for k, v in e[2] if v == ("funclit", index) and k is not None and k[0] == "id")

    def _all_literals(self, fn):
        for lit in fn.literals:
            yield lit
            yield from self._all_literals(lit)

    def _used(self, fn, name) -> bool:
        for o in self._ops_with_literals(fn):
            exprs = list(o.args) + ([o.fn] if o.fn is not None and o.kind != "jump" else [])
            for e in exprs:
                if name in _ids_in(e, set()):
                    return True
        return False
