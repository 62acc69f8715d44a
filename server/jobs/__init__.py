"""Jobs: a streamed job's state (`_job`), its durable store on disk (`_store`), the registry that
admits and runs jobs (`_manager`) within the server's limits (`_limits`), media jobs named by path
(`_media_job`), and the library's Runner over this server's own jobs (`_runner`)."""
