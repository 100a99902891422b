package chat

// cursors holds, per channel, what a connection has been given. Most
// people are in a handful of channels, so a short list searched in order
// costs less memory than a map on every idle connection.
type cursors []channelCursor

type channelCursor struct {
	channel string
	cur     *cursor
}

func (cs cursors) get(channel string) *cursor {
	for _, c := range cs {
		if c.channel == channel {
			return c.cur
		}
	}
	return nil
}

func (cs *cursors) set(channel string, cur *cursor) {
	for i := range *cs {
		if (*cs)[i].channel == channel {
			(*cs)[i].cur = cur
			return
		}
	}
	*cs = append(*cs, channelCursor{channel, cur})
}

func (cs *cursors) remove(channel string) {
	for i, c := range *cs {
		if c.channel == channel {
			*cs = append((*cs)[:i], (*cs)[i+1:]...)
			return
		}
	}
}
