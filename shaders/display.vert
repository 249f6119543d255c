#version 330 core
/* Display of one frame in TintaViewer: a single textured quad placed by
 * u_rect (x0, y0, x1, y1 in clip space), so letterboxing, zoom and pan are
 * decided on the CPU where the widget size is known; a pane of a
 * multi-pane layout is the same quad cut out by the scissor test.  The
 * four corners come from gl_VertexID, which saves a vertex buffer for a
 * shape that never changes.  Texture row 0 is the top row of the image
 * (the engine's order), hence the flipped v. */

uniform vec4 u_rect;

out vec2 v_uv;

void
main (void)
{
  vec2 corner = vec2 (float (gl_VertexID & 1), float ((gl_VertexID >> 1) & 1));

  v_uv = vec2 (corner.x, 1.0 - corner.y);
  gl_Position = vec4 (mix (u_rect.xy, u_rect.zw, corner), 0.0, 1.0);
}
