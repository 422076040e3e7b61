from socket import *

BUFFER_SIZE = 64  # a sentence is never longer than this

serverPort = 12000
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
print('The server is ready to receive', flush=True)

while True:
    connectionSocket, addr = serverSocket.accept()
    try:
        sentence = connectionSocket.recv(BUFFER_SIZE)
        capitalizedSentence = sentence.upper()
        connectionSocket.send(capitalizedSentence)
    except OSError as e:
        print('problem with client', addr, e, flush=True)
    connectionSocket.close()
