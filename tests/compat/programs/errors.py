"""Error classes and their attributes: status, body, request id, request and response."""

import asyncio

import anthropic


async def main() -> None:
    client = anthropic.AsyncAnthropic(max_retries=0)
    try:
        await client.models.retrieve("no-such-model")
    except anthropic.NotFoundError as e:
        print(type(e).__name__, e.status_code, e.body)
        print(
            e.request_id == e.response.headers["request-id"], e.request.method, e.request.url.path
        )
        print(isinstance(e, anthropic.APIStatusError), isinstance(e, anthropic.APIError))
    try:
        await client.messages.create(model="m", max_tokens=-5, messages=[])
    except anthropic.BadRequestError as e:
        print(type(e).__name__, e.status_code, e.body["error"]["type"], e.response.status_code)
    bad = client.with_options(api_key="wrong-key")
    try:
        await bad.messages.create(
            model="m", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
        )
    except anthropic.AuthenticationError as e:
        print(type(e).__name__, e.status_code, e.body["error"]["type"])
    offline = anthropic.AsyncAnthropic(base_url="http://127.0.0.1:9", max_retries=0)
    try:
        await offline.messages.create(
            model="m", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
        )
    except anthropic.APIConnectionError as e:
        print(type(e).__name__, isinstance(e, anthropic.APIError), e.request.url.port)
    await offline.close()
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
