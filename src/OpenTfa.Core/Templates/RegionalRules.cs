using System.Text.Json;
using OpenTfa.Core.Errors;

namespace OpenTfa.Core.Templates;

/// <summary>
/// The <c>regional</c> options of a template. India's DLT registration is checked like any
/// other field: an operator in India relies on these ids reaching the carrier intact, so a
/// missing or oversized id is refused when the template is saved, not when an SMS is refused.
/// </summary>
public static class RegionalRules
{
    private const string IndiaDlt = "regional.indiaDlt";

    /// <summary>Checks the regional options as the wire gives them (camel-case JSON).</summary>
    public static void Validate(string regionalJson, ValidationErrors errors)
    {
        using JsonDocument document = JsonDocument.Parse(regionalJson);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("indiaDlt", out JsonElement dlt)
            || dlt.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (dlt.ValueKind != JsonValueKind.Object)
        {
            errors.Add(IndiaDlt, "must be an object");
            return;
        }

        CheckId(dlt, "principalEntityId", 30, required: true, errors);
        CheckId(dlt, "contentTemplateId", 30, required: false, errors);
        CheckId(dlt, "teleMarketerId", 255, required: false, errors);
    }

    private static void CheckId(JsonElement dlt, string name, int maxLength, bool required, ValidationErrors errors)
    {
        string field = $"{IndiaDlt}.{name}";
        if (!dlt.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add(field, "is required");
            }

            return;
        }

        string text = value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
        if (text.Length is 0 || text.Length > maxLength || text.Any(char.IsControl) || string.IsNullOrWhiteSpace(text))
        {
            errors.Add(field, $"must be 1 to {maxLength} characters without control characters");
        }
    }
}
