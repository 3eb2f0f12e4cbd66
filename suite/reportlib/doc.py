"""The report laid out once, as a list of blocks, and written twice: as
README.md (markdown) and as index.html (a page for a 1,280-px screen, no
network needed). Text is plain: each writer escapes it for its format."""

import html


class Cell:
    """A figure: its text, the spread over the repeats, a rank mark before
    it, and a note after it: a reason, or a list of parts (its ratios to
    the references), each kept on one line on the page."""

    def __init__(self, text, spread="", mark="", title="", note=""):
        self.text, self.spread, self.mark, self.title = text, spread, mark, title
        self.parts = note if isinstance(note, list) else None
        self.note = ", ".join(note) if isinstance(note, list) else note


class Row:
    def __init__(self, cells, reference=False):
        self.cells = [c if isinstance(c, Cell) else Cell(str(c)) for c in cells]
        self.reference = reference


class Table:
    def __init__(self, head, rows, ident=""):
        self.head, self.rows, self.ident = head, rows, ident


class Heading:
    def __init__(self, level, text, ident=""):
        self.level, self.text, self.ident = level, text, ident


class Para:
    def __init__(self, text):
        self.text = text


class List:
    def __init__(self, items):
        self.items = items


class Image:
    def __init__(self, src, alt):
        self.src, self.alt = src, alt


class Pre:
    def __init__(self, text, lang=""):
        self.text, self.lang = text, lang


class Details:
    """Folded on the page; in README.md only its summary, pointing at the CSV."""

    def __init__(self, summary, blocks, readme_note=""):
        self.summary, self.blocks, self.readme_note = summary, blocks, readme_note


# ---- markdown

def _md_cell(c):
    text = c.mark + c.text + (" (%s)" % c.spread if c.spread else "")
    if c.note:
        text += ("; " if text else "") + c.note
    return text.replace("|", "/").replace("\n", " ")


def markdown(blocks):
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out += ["#" * b.level + " " + b.text, ""]
        elif isinstance(b, Para):
            out += [b.text, ""]
        elif isinstance(b, List):
            out += ["- " + i for i in b.items] + [""]
        elif isinstance(b, Image):
            out += ["![%s](%s)" % (b.alt, b.src), ""]
        elif isinstance(b, Pre):
            out += ["```" + b.lang] + b.text.rstrip("\n").splitlines() + ["```", ""]
        elif isinstance(b, Table):
            out.append("| " + " | ".join(b.head) + " |")
            out.append("|" + "---|" * len(b.head))
            out += ["| " + " | ".join(_md_cell(c) for c in r.cells) + " |" for r in b.rows]
            out.append("")
        elif isinstance(b, Details):
            if b.readme_note:
                out += [b.readme_note, ""]
    return "\n".join(out)


# ---- HTML

STYLE = """
body{font-family:system-ui,sans-serif;font-size:15px;line-height:1.4;margin:0;color:#222}
main{max-width:1240px;margin:0 auto;padding:12px 20px}
h1{font-size:1.6em;margin:.4em 0}h2{margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6em 0;font-size:13px}
th,td{border:1px solid #bbb;padding:3px 6px;text-align:right;vertical-align:top}
th{background:#f0f0f0;font-weight:600}
td:first-child,th:first-child{text-align:left}
tr.ref td{background:#ececec;color:#555;font-style:italic}
.sp{display:block;color:#666;font-size:11px}
.vs{display:block;color:#245;font-size:11px}.nw{white-space:nowrap}
.best{color:#0a6b0a;font-weight:700}
pre{background:#f4f4f4;padding:8px;white-space:pre-wrap;word-break:break-all;font-size:12px}
img{max-width:100%;height:auto}
details{margin:.6em 0}summary{cursor:pointer;color:#245}
.scroll{max-width:100%;overflow-x:auto}
"""


def _html_cell(tag, c):
    e = html.escape
    title = " title='%s'" % e(c.title) if c.title else ""
    mark = "<span class='best'>%s</span>" % e(c.mark) if c.mark else ""
    # A spread may break after its dash: the two ends keep their units.
    sp = ("<span class='sp'>%s</span>" % e(c.spread).replace("\u2013", "\u2013<wbr>")
          if c.spread else "")
    note = (", ".join("<span class='nw'>%s</span>" % e(p) for p in c.parts)
            if c.parts is not None else e(c.note))
    vs = "<span class='vs'>%s</span>" % note if c.note else ""
    return "<%s%s>%s%s%s%s</%s>" % (tag, title, mark, e(c.text), sp, vs, tag)


def _html_blocks(blocks):
    e = html.escape
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            ident = " id='%s'" % e(b.ident) if b.ident else ""
            out.append("<h%d%s>%s</h%d>" % (b.level, ident, e(b.text), b.level))
        elif isinstance(b, Para):
            out.append("<p>%s</p>" % e(b.text))
        elif isinstance(b, List):
            out.append("<ul>" + "".join("<li>%s</li>" % e(i) for i in b.items) + "</ul>")
        elif isinstance(b, Image):
            out.append("<p><img src='%s' alt='%s'></p>" % (e(b.src), e(b.alt)))
        elif isinstance(b, Pre):
            out.append("<pre>%s</pre>" % e(b.text))
        elif isinstance(b, Table):
            ident = " id='%s'" % e(b.ident) if b.ident else ""
            rows = ["<tr>" + "".join("<th>%s</th>" % e(h).replace("/", "/<wbr>") for h in b.head) + "</tr>"]
            for r in b.rows:
                cls = " class='ref'" if r.reference else ""
                rows.append("<tr%s>" % cls + "".join(_html_cell("td", c) for c in r.cells)
                            + "</tr>")
            # A table wider than the page scrolls inside its box, not the page.
            out.append("<div class='scroll'><table%s>%s</table></div>" % (ident, "".join(rows)))
        elif isinstance(b, Details):
            out.append("<details><summary>%s</summary>%s</details>"
                       % (e(b.summary), _html_blocks(b.blocks)))
    return "\n".join(out)


def page(title, blocks):
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width'>"
            "<title>%s</title><style>%s</style></head><body><main>\n%s\n</main></body></html>\n"
            % (html.escape(title), STYLE, _html_blocks(blocks)))
