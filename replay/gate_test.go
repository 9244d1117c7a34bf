package replay_test

import (
	"testing"

	"github.com/edgerules/edgerules/replay"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConditions(t *testing.T) {
	rep := &replay.Report{Records: 900, Requests: 1000, Malformed: 3,
		Actions:            map[string]int64{"block": 30, "challenge": 5, "managed_challenge": 7, "log": 8, "none": 950},
		VerifiedBotActions: map[string]int64{"block": 2, "js_challenge": 1, "none": 40},
		Diff:               &replay.Diff{Changed: 5, ChangedVerifiedBots: 1}}
	for cond, want := range map[string]bool{
		"block > 2%":                    true, // 3%
		"block > 3%":                    false,
		"block >= 3%":                   true,
		"block<3%":                      false,
		"block <= 30":                   true,
		"block == 30":                   true,
		"block != 30":                   false,
		"  challenge >= 5  ":            true,
		"challenged == 12":              true,
		"log > 0":                       true,
		"none < 95.5%":                  true,
		"js_challenge > 0":              false, // an action no request got
		"verified_bots == 43":           true,
		"verified_bots_blocked > 0":     true,
		"verified_bots_challenged == 1": true,
		"changed > 0.5%":                false, // 0.5%
		"changed >= 0.5%":               true,
		"verified_bots_changed > 0":     true,
		"records < 1000":                true,
		"requests == 1000":              true,
		"malformed > 2":                 true,
	} {
		c, err := replay.ParseCondition(cond)
		require.NoError(t, err, cond)
		holds, why := c.Check(rep)
		assert.Equal(t, want, holds, "%s: %s", cond, why)
	}
	c, err := replay.ParseCondition("block > 2%")
	require.NoError(t, err)
	_, why := c.Check(rep)
	assert.Equal(t, "block is 3.00% of requests (30 of 1,000)", why)
	assert.False(t, c.NeedsBaseline())

	changed, err := replay.ParseCondition("changed > 0")
	require.NoError(t, err)
	assert.True(t, changed.NeedsBaseline())
	holds, why := changed.Check(&replay.Report{})
	assert.False(t, holds)
	assert.Equal(t, "changed needs a baseline", why)
}

func TestConditionErrors(t *testing.T) {
	for cond, want := range map[string]string{
		"":              `at column 1: expected a name (block, changed, verified_bots_blocked, ...), found the end`,
		"> 2":           `at column 1: expected a name (block, changed, verified_bots_blocked, ...), found "> 2"`,
		"blocked > 2%":  `at column 1: unknown name "blocked": use records, requests, malformed, an action (block, challenge, ...), log, none, challenged, verified_bots, verified_bots_blocked, verified_bots_challenged, changed or verified_bots_changed`,
		"block 2%":      `at column 7: expected a comparison (>, >=, <, <=, ==, !=), found "2%"`,
		"block => 2":    `at column 7: expected a comparison (>, >=, <, <=, ==, !=), found "=> 2"`,
		"block >":       `at column 8: expected a number, found the end`,
		"block > two":   `at column 9: expected a number, found "two"`,
		"block > 1.2.3": `at column 9: expected a number, found "1.2.3"`,
		"block > 2 %":   `at column 11: unexpected "%" after the number`,
		"block > 2% or": `at column 12: unexpected "or" after the number`,
	} {
		_, err := replay.ParseCondition(cond)
		require.Error(t, err, cond)
		assert.Equal(t, want, err.Error(), cond)
		var ce *replay.ConditionError
		assert.ErrorAs(t, err, &ce)
	}
}
