using System.Text.RegularExpressions;
using OpenTfa.Core.Pins;

namespace OpenTfa.Core.Tests.Pins;

public sealed partial class IdsTests
{
    [GeneratedRegex("^[0-9A-F]{32}$")]
    private static partial Regex UpperHex32();

    [Fact]
    public void New_IsThirtyTwoUpperCaseHexCharacters()
    {
        for (int i = 0; i < 100; i++)
        {
            Assert.Matches(UpperHex32(), Ids.New());
        }
    }

    [Fact]
    public void New_ManyIds_AreAllDistinct()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 100_000; i++)
        {
            Assert.True(ids.Add(Ids.New()));
        }
    }
}
