#version 330 core
/* CIE L*a*b* (D65) -> sRGB for display, the inverse of the engine's
 * tinta_srgbf_to_lab (engine/include/tinta/color.h), with the same
 * constants: D65 white (0.95047, 1, 1.08883), CIE's exact epsilon 216/24389
 * and kappa 24389/27, the inverse of scikit-image's sRGB->XYZ matrix, and
 * the IEC 61966-2-1 transfer curve.  Doing it here keeps the chroma in
 * float textures, so TintaViewer switches between gray, local, global and
 * fused (one texture each) without a CPU round trip, and draws every pane
 * of a layout with this one program.
 *
 * The chroma may be smaller than L (the engine's working size): both are
 * sampled at the same normalized v_uv, so linear filtering upsamples it.
 * With u_show_color = 0 the chroma is dropped and the pane shows the
 * engine's gray input (L only), which is also what a mode without a result
 * shows: never another frame's colors.
 *
 * Confidence overlay (u_confidence_overlay = 1): where the global match's
 * similarity falls below 0.5 the pane is darkened and hatched with thin
 * magenta diagonals, fading in from conf 0.5 down to full strength at 0.
 * Hatching rather than a tint, because a tint would read as a color the
 * colorization produced, which is exactly what the colorist is judging;
 * magenta because it sits off the skin, foliage and sky hues that natural
 * footage is colored with; stripes in screen pixels (scaled by
 * u_pixel_scale on HiDPI) so they stay crisp and thin at every zoom, and
 * the picture stays readable between them. */

uniform sampler2D u_lightness;          /* R32F: L in [0, 100] */
uniform sampler2D u_chroma;             /* RG32F: a, b */
uniform sampler2D u_confidence;         /* R32F: global match similarity in [0, 1] */
uniform float u_show_color;             /* 1.0 color, 0.0 gray */
uniform float u_confidence_overlay;     /* 1.0 hatch low confidence, 0.0 off */
uniform float u_pixel_scale;            /* device pixels per widget pixel */

in vec2 v_uv;

out vec4 out_color;

const vec3 WHITE_D65 = vec3 (0.95047, 1.0, 1.08883);
const float CIE_EPSILON = 216.0 / 24389.0;
const float CIE_KAPPA = 24389.0 / 27.0;

const vec3 HATCH_COLOR = vec3 (1.0, 0.25, 0.85);
const float HATCH_PERIOD = 8.0;         /* widget pixels, along x + y */

float
lab_f_inverse (float t)
{
  float t3 = t * t * t;

  return t3 > CIE_EPSILON ? t3 : (116.0 * t - 16.0) / CIE_KAPPA;
}

float
srgb_encode (float linear)
{
  return linear <= 0.0031308
         ? 12.92 * linear
         : 1.055 * pow (linear, 1.0 / 2.4) - 0.055;
}

vec3
confidence_hatch (vec3 srgb)
{
  float confidence = texture (u_confidence, v_uv).r;
  float weight = 1.0 - smoothstep (0.0, 0.5, confidence);
  float phase = mod ((gl_FragCoord.x + gl_FragCoord.y) / u_pixel_scale, HATCH_PERIOD);
  /* A stripe about 2 px wide with soft edges, so the diagonals do not
   * stair-step. */
  float stripe = 1.0 - smoothstep (0.5, 1.5, abs (phase - 0.5 * HATCH_PERIOD));

  srgb *= 1.0 - 0.3 * weight;
  return mix (srgb, HATCH_COLOR, 0.8 * weight * stripe);
}

void
main (void)
{
  float L = texture (u_lightness, v_uv).r;
  vec2 ab = texture (u_chroma, v_uv).rg * u_show_color;

  float fy = (L + 16.0) / 116.0;
  float fx = fy + ab.x / 500.0;
  float fz = fy - ab.y / 200.0;

  /* For Y the CIE formula tests L against kappa * epsilon (= 8) rather than
   * fy^3 against epsilon; both agree, but this is the exact form. */
  vec3 xyz = WHITE_D65 * vec3 (lab_f_inverse (fx),
                               L > CIE_KAPPA * CIE_EPSILON ? fy * fy * fy : L / CIE_KAPPA,
                               lab_f_inverse (fz));

  /* Rows of inverse(xyz_from_rgb), scikit-image's matrix. */
  vec3 linear = vec3 (dot (vec3 ( 3.2404813432, -1.5371515163, -0.4985363262), xyz),
                      dot (vec3 (-0.9692549500,  1.8759900015,  0.0415559266), xyz),
                      dot (vec3 ( 0.0556466391, -0.2040413384,  1.0573110696), xyz));
  linear = clamp (linear, 0.0, 1.0);

  vec3 srgb = vec3 (srgb_encode (linear.r),
                    srgb_encode (linear.g),
                    srgb_encode (linear.b));

  if (u_confidence_overlay > 0.5)
    srgb = confidence_hatch (srgb);

  out_color = vec4 (srgb, 1.0);
}
