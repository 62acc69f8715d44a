"""The doors clients come through: the calls both transports share (`_service`), the gRPC
servicer (`_grpc`), the JSON gateway over HTTP and WebSocket (`_gateway`), and bearer-token
authentication (`_auth`)."""
