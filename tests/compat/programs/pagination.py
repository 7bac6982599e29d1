"""Walking the models list: every item, a first page, the next page."""

import asyncio

import anthropic


async def main() -> None:
    client = anthropic.AsyncAnthropic()
    ids = [model.id async for model in client.models.list(limit=4)]
    print(len(ids), ids[:3])
    page = await client.models.list(limit=3)
    print([m.id for m in page.data], page.has_more, page.first_id, page.last_id)
    print(page.has_next_page())
    second = await page.get_next_page()
    print([m.id for m in second.data])
    model = await client.models.retrieve(ids[0])
    print(model.id, model.display_name, model.type, model.created_at.year)
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
