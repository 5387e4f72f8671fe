"""One self-contained HTML page that steps through SVG frames: no network, no library.

The SVGs are inlined, and a few lines of JavaScript show one frame at a time (buttons, or the
left/right arrow keys). Without JavaScript every frame is simply shown, one under another.
"""

import html

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; }}
  .controls {{ margin: 0.5em 0 1em; }}
  .controls button {{ font-size: 1em; padding: 0.3em 0.9em; }}
  .frame svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div class="controls">
  <button id="previous-frame">&larr; Previous</button>
  <span id="frame-counter"></span>
  <button id="next-frame">Next &rarr;</button>
</div>
{frames}
<script>
  const frames = document.querySelectorAll(".frame");
  const counter = document.getElementById("frame-counter");
  let current = 0;
  function show(index) {{
    current = Math.max(0, Math.min(frames.length - 1, index));
    frames.forEach((frame, i) => {{ frame.hidden = i !== current; }});
    counter.textContent = "Frame " + (current + 1) + " of " + frames.length;
  }}
  document.getElementById("previous-frame").onclick = () => show(current - 1);
  document.getElementById("next-frame").onclick = () => show(current + 1);
  document.addEventListener("keydown", (event) => {{
    if (event.key === "ArrowLeft") show(current - 1);
    if (event.key === "ArrowRight") show(current + 1);
  }});
  show(0);
</script>
</body>
</html>
"""


def inline_svg(svg_text):
    """An SVG file's text without its XML prolog and DOCTYPE, ready to sit inside HTML."""
    start = svg_text.find("<svg")
    if start < 0:
        raise ValueError("frames_to_html: a frame is not SVG text (no <svg> element found)")
    return svg_text[start:]


def frames_to_html(svgs, title="Backprop, step by step"):
    """The page for a list of SVG texts, shown in order."""
    frames = "\n".join(f'<div class="frame" id="frame-{number}">\n{inline_svg(svg)}</div>'
                       for number, svg in enumerate(svgs))
    return _PAGE.format(title=html.escape(title), frames=frames)
