/*
 * A direct convolution in C, checked by convcheck through convcheck_client.h:
 *
 *   cc -O2 -o example_naive scripts/clients/c/example_naive.c
 *   npx convcheck check --impl-cmd ./example_naive
 *
 * 1-D to 3-D, batch, groups, stride, dilation, asymmetric pads, bias, both
 * modes; float32 in and out, sums in double.
 */
#include "convcheck_client.h"

static int conv(const cc_problem *p, const float *x, const float *w, const float *b, float *y) {
  /* Lift every spatial array to 3-D: [D, H, W], missing leading dimensions of size 1. */
  int I[3], K[3], S[3], D[3], P[3], O[3], a, n, oc, ci, o[3], k[3];
  int flip = !p->cross_correlation;
  int cig = p->in_channels / p->groups, cog = p->out_channels / p->groups;
  long at = 0;
  for (a = 0; a < 3; a++) {
    int src = a - (3 - p->rank);
    I[a] = src < 0 ? 1 : p->input_size[src];
    K[a] = src < 0 ? 1 : p->kernel_size[src];
    S[a] = src < 0 ? 1 : p->stride[src];
    D[a] = src < 0 ? 1 : p->dilation[src];
    P[a] = src < 0 ? 0 : p->pad_begin[src];
    O[a] = src < 0 ? 1 : p->output_size[src];
  }
  for (n = 0; n < p->batch; n++)
    for (oc = 0; oc < p->out_channels; oc++)
      for (o[0] = 0; o[0] < O[0]; o[0]++)
        for (o[1] = 0; o[1] < O[1]; o[1]++)
          for (o[2] = 0; o[2] < O[2]; o[2]++) {
            double acc = b ? b[oc] : 0.0;
            for (ci = 0; ci < cig; ci++)
              for (k[0] = 0; k[0] < K[0]; k[0]++)
                for (k[1] = 0; k[1] < K[1]; k[1]++)
                  for (k[2] = 0; k[2] < K[2]; k[2]++) {
                    int i[3], t[3], inside = 1, c = oc / cog * cig + ci;
                    for (a = 0; a < 3; a++) {
                      i[a] = o[a] * S[a] - P[a] + k[a] * D[a];
                      t[a] = flip ? K[a] - 1 - k[a] : k[a];
                      inside = inside && i[a] >= 0 && i[a] < I[a];
                    }
                    /* A tap in the padding multiplies a real zero (0 * inf = NaN, as the oracle says). */
                    double xv = inside ? (double)x[(((long)(n * p->in_channels + c) * I[0] + i[0]) * I[1] + i[1]) * I[2] + i[2]] : 0.0;
                    acc += xv * w[(((long)(oc * cig + ci) * K[0] + t[0]) * K[1] + t[1]) * K[2] + t[2]];
                  }
            y[at++] = (float)acc;
          }
  return CC_OK;
}

int main(void) { return cc_serve(conv); }
