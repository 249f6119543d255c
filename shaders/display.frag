#version 330 core
/* CIE L*a*b* (D65) -> sRGB for display, the inverse of the engine's
 * tinta_srgbf_to_lab (engine/include/tinta/color.h), with the same
 * constants: D65 white (0.95047, 1, 1.08883), CIE's exact epsilon 216/24389
 * and kappa 24389/27, the inverse of scikit-image's sRGB->XYZ matrix, and
 * the IEC 61966-2-1 transfer curve.  Doing it here keeps the chroma in
 * float textures, so a later pass can swap a,b (local / global / fused)
 * without a CPU round trip.  With u_show_color = 0 the chroma is dropped
 * and the frame shows as the engine's gray input (L only). */

uniform sampler2D u_lightness;   /* R32F: L in [0, 100] */
uniform sampler2D u_chroma;      /* RG32F: a, b */
uniform float u_show_color;      /* 1.0 color, 0.0 gray */

in vec2 v_uv;

out vec4 out_color;

const vec3 WHITE_D65 = vec3 (0.95047, 1.0, 1.08883);
const float CIE_EPSILON = 216.0 / 24389.0;
const float CIE_KAPPA = 24389.0 / 27.0;

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

  out_color = vec4 (srgb_encode (linear.r),
                    srgb_encode (linear.g),
                    srgb_encode (linear.b),
                    1.0);
}
