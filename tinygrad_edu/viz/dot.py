"""The few pieces of Graphviz's DOT language the drawings use, as plain string functions.

    digraph G {
      t0 [label="x\\n(2, 3) float32", shape=box];
      op0 [label="Mul", shape=ellipse];
      t0 -> op0;
    }

Every value is quoted and escaped here, so a tensor name with quotes cannot break the file.
"""

import html


def _escape(text):
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def quote(text):
    """A DOT string literal."""
    return '"' + _escape(text) + '"'


def multiline(lines, align="center"):
    """Several lines as one DOT label: centered ("\\n" breaks) or left-aligned ("\\l" ends)."""
    escaped = [_escape(line) for line in lines]
    if align == "left":
        return '"' + "".join(line + "\\l" for line in escaped) + '"'
    return '"' + "\\n".join(escaped) + '"'


def _attribute_list(attributes):
    parts = []
    for key, value in attributes.items():
        if key == "label" and isinstance(value, list | tuple):
            parts.append(f"label={multiline(value)}")
        else:
            parts.append(f"{key}={quote(value)}")
    return " [" + ", ".join(parts) + "]" if parts else ""


def node(key, **attributes):
    """`key [label=..., shape=...];`; a list or tuple label becomes centered lines."""
    return f"  {key}{_attribute_list(attributes)};"


def edge(source, target, **attributes):
    """`source -> target [...];`"""
    return f"  {source} -> {target}{_attribute_list(attributes)};"


def table_node(key, title, rows, text_color="black"):
    """A node drawn as a small table (a Graphviz HTML-like label): a title row, then one row
    per (fill colour, text); a row whose colour is None is plain text in `text_color`."""
    cells = [f'<tr><td colspan="2"><b>{html.escape(title)}</b></td></tr>']
    for color, text in rows:
        if color is None:
            cells.append(f'<tr><td colspan="2" border="0" align="left"><font color="{text_color}">'
                         f"{html.escape(text)}</font></td></tr>")
        else:
            cells.append(f'<tr><td bgcolor="{color}" width="18"> </td>'
                         f'<td align="left">{html.escape(text)}</td></tr>')
    table = ('<table border="0" cellborder="1" cellspacing="2" cellpadding="3">'
             + "".join(cells) + "</table>")
    return f"  {key} [shape=plaintext, fontsize=10, label=<{table}>];"


def digraph(statements, caption=None, **graph_attributes):
    """A whole `digraph` from node/edge statements; `caption` (lines) goes on top, left-aligned."""
    lines = ["digraph G {"]
    settings = {"rankdir": "TB", "fontname": "Helvetica", **graph_attributes}
    lines += [f"  {key}={quote(value)};" for key, value in settings.items()]
    if caption:
        lines.append(f"  labelloc=t; labeljust=l; label={multiline(caption, align='left')};")
    lines.append('  node [fontname="Helvetica", fontsize=11];')
    lines.append('  edge [fontname="Helvetica", fontsize=10];')
    lines += statements
    lines.append("}")
    return "\n".join(lines) + "\n"
