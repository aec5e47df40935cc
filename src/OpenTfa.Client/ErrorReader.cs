using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace OpenTfa.Client;

/// <summary>Reads an error answer in either of OpenTfa's shapes, tolerating anything else (a proxy's HTML page, an empty body).</summary>
internal static class ErrorReader
{
    public static OpenTfaErrorDetails Read(HttpStatusCode status, HttpResponseHeaders headers, string body, TimeProvider time)
    {
        TimeSpan? retryAfter = RetryAfterOf(headers.RetryAfter, time);
        if (TryParse(body) is { } root)
        {
            using (root)
            {
                JsonElement json = root.RootElement;
                if (json.ValueKind == JsonValueKind.Object
                    && json.TryGetProperty("requestError", out JsonElement requestError) && requestError.ValueKind == JsonValueKind.Object
                    && requestError.TryGetProperty("serviceException", out JsonElement service) && service.ValueKind == JsonValueKind.Object)
                {
                    return new OpenTfaErrorDetails(status, StringOf(service, "messageId"), StringOf(service, "text"), null,
                        ErrorsOf(service, "validationErrors"), retryAfter, body);
                }

                if (json.ValueKind == JsonValueKind.Object && (json.TryGetProperty("title", out _) || json.TryGetProperty("detail", out _)))
                {
                    string? title = StringOf(json, "title");
                    return new OpenTfaErrorDetails(status, null, StringOf(json, "detail") ?? title, title, ErrorsOf(json, "errors"), retryAfter, body);
                }
            }
        }

        string? text = string.IsNullOrWhiteSpace(body) ? null : Truncate(body.Trim(), 500);
        return new OpenTfaErrorDetails(status, null, text, null, null, retryAfter, body);
    }

    private static JsonDocument? TryParse(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? StringOf(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, IReadOnlyList<string>>? ErrorsOf(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out JsonElement errors) || errors.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (JsonProperty field in errors.EnumerateObject())
        {
            result[field.Name] = field.Value.ValueKind switch
            {
                JsonValueKind.Array => field.Value.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : m.GetRawText()).ToArray(),
                JsonValueKind.String => [field.Value.GetString()!],
                _ => [field.Value.GetRawText()],
            };
        }

        return result;
    }

    private static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header, TimeProvider time)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            TimeSpan wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
