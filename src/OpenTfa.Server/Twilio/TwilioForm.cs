using System.Globalization;
using System.Text.Json;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Twilio;

namespace OpenTfa.Server.Twilio;

/// <summary>
/// A Twilio request's form-encoded parameters, PascalCase as Twilio's libraries send them.
/// Each reader answers null for a parameter not given; the first bad value is kept in
/// <see cref="Error"/>, which a handler checks once after reading everything it needs.
/// Parameters OpenTfa does not know are ignored, as Twilio ignores them.
/// </summary>
internal sealed class TwilioForm
{
    private readonly IFormCollection _form;

    private TwilioForm(IFormCollection form) => _form = form;

    public TfaError? Error { get; private set; }

    public static async Task<Result<TwilioForm>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.HasFormContentType)
        {
            return new TwilioForm(await request.ReadFormAsync(cancellationToken));
        }

        if (request.ContentLength is null or 0 && string.IsNullOrEmpty(request.ContentType))
        {
            return new TwilioForm(FormCollection.Empty);
        }

        return new TfaError(ErrorKind.BadRequest, "The request body must be form-encoded (application/x-www-form-urlencoded), as Twilio's API takes it",
            Code: TwilioErrors.InvalidParameter);
    }

    public string? Text(string name) => _form.TryGetValue(name, out Microsoft.Extensions.Primitives.StringValues values) ? values[0] : null;

    public int? Int(string name)
    {
        string? text = Text(name);
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            return value;
        }

        Fail(name, "must be a whole number");
        return null;
    }

    public bool? Bool(string name)
    {
        string? text = Text(name);
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text, out bool value))
        {
            return value;
        }

        Fail(name, "must be true or false");
        return null;
    }

    /// <summary>A parameter holding a JSON object of strings (numbers and booleans are taken as their text), such as <c>RateLimits</c>.</summary>
    public IReadOnlyDictionary<string, string>? JsonMap(string name, string? property = null)
    {
        string? text = Text(name);
        if (text is null)
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            JsonElement root = document.RootElement;
            if (property is not null)
            {
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(property, out root))
                {
                    return null;
                }
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                Fail(name, property is null ? "must be a JSON object" : $"{property} must be a JSON object");
                return null;
            }

            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty entry in root.EnumerateObject())
            {
                if (entry.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null)
                {
                    Fail(name, $"the value of '{entry.Name}' must be a string or a number");
                    return null;
                }

                map[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
            }

            return map;
        }
        catch (JsonException)
        {
            Fail(name, "must be JSON");
            return null;
        }
    }

    /// <summary>Refuses a parameter OpenTfa cannot honour, rather than ignoring what the caller relies on.</summary>
    public void Unsupported(string name, string reason)
    {
        if (Text(name) is not null)
        {
            Fail(name, reason);
        }
    }

    private void Fail(string name, string problem) => Error ??= TwilioErrors.Invalid(name, problem);
}
