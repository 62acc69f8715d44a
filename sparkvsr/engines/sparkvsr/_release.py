"""Facts of the released checkpoint's configs that code building same-shaped models needs (random
weights for benchmarks, toy sizes for tests). Real runs read the checkpoint's own config.json."""

# scheduler/scheduler_config.json of CogVideoX1.5-5B-I2V (alphas_cumprod[399] = 0.393544).
SCHEDULER_CONFIG = dict(
    beta_schedule="scaled_linear",
    beta_start=0.00085,
    beta_end=0.012,
    snr_shift_scale=1.0,
    rescale_betas_zero_snr=True,
    prediction_type="v_prediction",
    timestep_spacing="trailing",
    set_alpha_to_one=True,
    clip_sample=False,
)

# transformer/config.json of the I2V transformer SparkVSR fine-tunes (32 inputs: LR + keyframe).
# sample_height/width are 300 in the released CogVideoX1.5-5B-I2V config (not 96x170 from its
# 768x1360 training size): diffusers' conversion script writes 300x300 for version 1.5, and its
# maintainer confirmed 300 against that config (huggingface/finetrainers issue 121). It is only
# the base of the rotary grid, which grows to the tile's size: it changes no result.
TRANSFORMER_CONFIG = dict(
    num_attention_heads=48,
    attention_head_dim=64,
    in_channels=32,
    out_channels=16,
    time_embed_dim=512,
    ofs_embed_dim=512,
    text_embed_dim=4096,
    num_layers=42,
    sample_width=300,
    sample_height=300,
    sample_frames=81,
    patch_size=2,
    patch_size_t=2,
    max_text_seq_length=226,
    use_rotary_positional_embeddings=True,
    use_learned_positional_embeddings=False,
    patch_bias=False,
)

# vae/config.json differs from diffusers' defaults only here.
VAE_CONFIG = dict(scaling_factor=0.7, invert_scale_latents=True)
